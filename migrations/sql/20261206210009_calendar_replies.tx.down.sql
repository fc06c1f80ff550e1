DROP TABLE IF EXISTS calendar_replies;
