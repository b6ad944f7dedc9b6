"""What every audience shares: the count request behind CLI and API, rendering to text, JSON and CSV."""
