//! Time from INTERACTION_CREATE leaving the fake to the callback reaching it, over a few
//! hundred interactions. Printed, not asserted: timings depend on the machine.

use std::time::Duration;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interaction_latency_is_measured() {
    let bot = Bot::guild().await;
    let commands: &[(&str, &[(&str, &str)])] = &[
        ("speaker", &[("name", "simon wilison")]),
        ("talk", &[("title", "keynote")]),
        ("insight", &[]),
        ("search", &[("query", "python")]),
        ("topics", &[]),
    ];
    let mut times: Vec<Duration> = Vec::new();
    for i in 0..300 {
        let (name, options) = commands[i % commands.len()];
        times.push(bot.command(name, options).await.latency);
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "INTERACTION_CREATE → callback over {} interactions: median {:?}, p99 {:?}, max {:?}",
        times.len(),
        at(0.5),
        at(0.99),
        times[times.len() - 1]
    );
    assert!(times.iter().all(|t| *t < WINDOW));
    bot.stop().await;
}
