// One typed line (src/text/content.ts) on screen: the label in its severity's style, the text in its
// tone. Meaning comes from the line's fields, never from its words.
import React, { memo } from 'react';
import { Text } from 'ink';
import { LABEL_WIDTH, type Line } from '../src/text/content';
import { accent, dim, severityStyle, useTheme, type TextStyle, type Theme } from './theme';

export function toneStyle(theme: Theme, l: Line): TextStyle {
  switch (l.tone) {
    case 'heading': return accent(theme);
    case 'dim': return dim(theme);
    case 'warn': return severityStyle(theme, 'medium');
    case 'good': return theme.color ? { color: 'green' } : {};
    default: return {};
  }
}

export const ContentLine = memo(function ContentLine({ line }: { line: Line }) {
  const theme = useTheme();
  const pad = ' '.repeat(line.indent);
  if (line.label !== undefined) {
    return (
      <Text wrap="truncate-end">
        {pad}
        <Text {...(line.severity ? severityStyle(theme, line.severity) : dim(theme))}>{line.label.padEnd(LABEL_WIDTH)}</Text>
        {' '}
        <Text {...toneStyle(theme, line)}>{line.text}</Text>
      </Text>
    );
  }
  const style = line.severity && line.severity !== 'none' ? severityStyle(theme, line.severity) : toneStyle(theme, line);
  return <Text wrap="truncate-end">{pad}<Text {...style}>{line.text}</Text></Text>;
});
