//! PostgreSQL for the tests: the server `.ci/run` starts (env `CONFBOT_TEST_POSTGRES`), and a
//! schema of its own for each test, so tests sharing the server never see each other's state.
//! Without the variable these tests fall back or skip, and say so; with
//! `CONFBOT_REQUIRE_POSTGRES=1` (CI) a missing server is a failure.

/// A URL whose connections use a new, empty schema on the test server; `None` without one.
pub fn scratch_url() -> Option<String> {
    let base = confbot::store::postgres::test_url()?;
    // Its own thread and runtime: callers may be inside a runtime already.
    let url = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(confbot::store::postgres::scratch_url(&base))
    });
    Some(url.join().unwrap().unwrap())
}

/// A fresh store on each backend this run has: SQLite always, PostgreSQL when a server is given.
pub fn stores() -> Vec<confbot::store::Store> {
    let mut stores = vec![confbot::store::Store::open_in_memory().unwrap()];
    if let Some(url) = confbot::store::postgres::test_url() {
        stores.push(confbot::store::Store::postgres_scratch(&url).unwrap());
    }
    stores
}

/// Where a test keeps state it reopens, as a restarted process would: a SQLite file, or a
/// schema of the PostgreSQL test server.
pub enum Place {
    File(tempfile::TempDir),
    Postgres(String),
}

impl Place {
    pub fn open(&self) -> confbot::store::Store {
        match self {
            Place::File(dir) => confbot::store::Store::open(&dir.path().join("state.db")).unwrap(),
            Place::Postgres(url) => confbot::store::Store::connect(url).unwrap(),
        }
    }

    /// What the bot's `state` setting says for this place.
    pub fn state_at(&self) -> confbot::config::StateAt {
        match self {
            Place::File(dir) => confbot::config::StateAt::File(dir.path().join("state.db")),
            Place::Postgres(url) => confbot::config::StateAt::Postgres(confbot::config::Token::new(url.clone())),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Place::File(_) => "SQLite",
            Place::Postgres(_) => "PostgreSQL",
        }
    }
}

/// A fresh place on each backend this run has: SQLite always, PostgreSQL when a server is given.
pub fn places() -> Vec<Place> {
    let mut places = vec![Place::File(tempfile::tempdir().unwrap())];
    places.extend(scratch_url().map(Place::Postgres));
    places
}
