"""Writers: threads and tables out to files people open (JSON, CSV, Parquet, text tables)."""
