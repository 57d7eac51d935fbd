mod daily;
