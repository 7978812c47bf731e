"""The ladder itself: its file format (pure Python), its versions in the database, its pages."""
