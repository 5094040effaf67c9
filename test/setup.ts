// Ink writes only the last frame when CI is set; tests must behave as in a terminal.
delete process.env.CI;
delete process.env.NO_COLOR;
