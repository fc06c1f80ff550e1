DROP TABLE IF EXISTS email_optouts;
