DROP TABLE sessions, users;
