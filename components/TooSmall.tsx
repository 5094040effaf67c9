import React from 'react';
import { Box, Text } from 'ink';

export const MIN_COLS = 60;
export const MIN_ROWS = 16;

export function TooSmall({ cols, rows }: { cols: number; rows: number }) {
  return (
    <Box flexDirection="column">
      <Text bold>terminal too small: need {MIN_COLS}x{MIN_ROWS}</Text>
      <Text>now {cols}x{rows} · enlarge the window, or press q to quit</Text>
    </Box>
  );
}
