"""Plain helpers with no Django import."""
