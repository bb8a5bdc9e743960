-- Runs once, when the volume is new: Rasa's conversations live in their own database.
CREATE DATABASE rasa OWNER dvc;
