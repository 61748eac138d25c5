"""Golden ideas (金点子) and everything that carries them to funded projects."""
