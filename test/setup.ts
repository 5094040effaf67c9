// Ink writes only the last frame when CI is set; tests must behave as in a terminal.
delete process.env.CI;
delete process.env.NO_COLOR;
// Component tests assert on colour (and on its absence with NO_COLOR): make chalk emit it off a TTY.
process.env.FORCE_COLOR = '1';
