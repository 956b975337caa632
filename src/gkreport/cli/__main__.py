"""`python -m gkreport.cli`."""

from gkreport.cli import app

app()
