// Top of the dashboard: host, uptime, load, CPU and memory bars with history, counts, and banners.
import React from 'react';
import { Box, Text } from 'ink';
import type { Severity } from '../src/model';
import { clip } from '../src/text/sanitize';
import { gpuSummary } from '../src/gpu/index';
import { gapBanner } from '../src/deep/gapWatch';
import { useAppStore } from './StoreContext';
import { accent, dim, severityStyle, SEVERITY_GLYPH, UNCHECKED_GLYPH, useTheme } from './theme';
import { bar, bytes, duration, padEnd, sparkline } from './format';

const ORDER: Severity[] = ['critical', 'high', 'medium', 'low'];

export function Header({ width }: { width: number }) {
  const theme = useTheme();
  const host = useAppStore((s) => s.host);
  const stats = useAppStore((s) => s.hostStats);
  const cpuHistory = useAppStore((s) => s.cpuHistory);
  const memHistory = useAppStore((s) => s.memHistory);
  const snapshot = useAppStore((s) => s.snapshot);
  const assessments = useAppStore((s) => s.assessments);
  const knownGood = useAppStore((s) => s.knownGood);
  let allowed = 0; // allow-listed ones (minewatch itself is set aside too, but not counted)
  for (const m of knownGood.values()) if (m.entry) allowed++;
  const frozen = useAppStore((s) => s.frozen);
  const intervalMs = useAppStore((s) => s.intervalMs);
  const deep = useAppStore((s) => s.deep);
  const unchecked = useAppStore((s) => s.unchecked);

  const counts = new Map<Severity, number>();
  for (const a of assessments.values()) counts.set(a.severity, (counts.get(a.severity) ?? 0) + 1);
  const total = snapshot?.processes.size ?? 0;
  const right = stats ? `up ${duration(stats.uptimeSec)} · load ${stats.load.map((l) => l.toFixed(2)).join(' ')}` : '';
  const name = `minewatch · ${clip(host.hostname, 32)}`;
  const kernel = host.kernel ? ` · ${clip(host.kernel, 32)}` : '';
  const room = width - right.length - name.length - kernel.length - 5;
  const title = `${name}${host.distro && room > 8 ? ` · ${clip(host.distro, room)}` : ''}${kernel}`;
  const half = Math.max(20, Math.floor((width - 2) / 2));
  const barW = Math.max(6, half - 28);
  const cpu = stats?.cpuPercent ?? 0;
  const memPct = stats && stats.memTotal ? (stats.memUsed / stats.memTotal) * 100 : 0;
  const warnings = snapshot?.warnings ?? [];
  const gpu = gpuSummary(snapshot?.gpu);
  const gap = gapBanner(snapshot?.cpuGap);
  const notRoot = snapshot && !snapshot.root;

  return (
    <Box flexDirection="column" width={width}>
      <Box width={width} justifyContent="space-between">
        <Text {...accent(theme)} wrap="truncate-end">{title}</Text>
        <Text {...dim(theme)} wrap="truncate-end">{right}</Text>
      </Box>
      <Box width={width}>
        <Text wrap="truncate-end">
          {padEnd(`CPU ${bar(cpu, barW)} ${cpu.toFixed(0).padStart(3)}% `, half - 10)}
          <Text {...dim(theme)}>{sparkline(cpuHistory, 10)}</Text>
          {'  '}
          {padEnd(`MEM ${bar(memPct, barW)} ${stats ? bytes(stats.memUsed) : '-'}/${stats ? bytes(stats.memTotal) : '-'} `, half - 10)}
          <Text {...dim(theme)}>{sparkline(memHistory, 10)}</Text>
        </Text>
      </Box>
      <Box width={width}>
        <Text wrap="truncate-end">
          {snapshot?.partial ? `${total} processes · ` : `${total} processes · flagged: `}
          {snapshot?.partial
            ? <Text {...accent(theme)}>checking…</Text>
            : ORDER.map((s, i) => (
              <Text key={s} {...(counts.get(s) ? severityStyle(theme, s) : dim(theme))}>
                {`${i ? ' ' : ''}${SEVERITY_GLYPH[s]}${counts.get(s) ?? 0} ${s}`}
              </Text>
            ))}
          {unchecked > 0 || notRoot
            ? <Text {...severityStyle(theme, 'medium')}>{` · ${notRoot ? 'not root: ' : ''}${UNCHECKED_GLYPH}${unchecked} not fully checked`}</Text>
            : null}
          {allowed ? <Text {...dim(theme)}>{` · ✓${allowed} known-good`}</Text> : null}
          {gap ? <Text {...severityStyle(theme, 'high')}>{` · ${gap}`}</Text> : null}
          <Text {...dim(theme)}>{` · every ${intervalMs >= 1000 ? `${intervalMs / 1000}s` : `${intervalMs}ms`}`}</Text>
          {frozen ? <Text inverse bold>{' FROZEN (z) '}</Text> : null}
          {gpu ? <Text>{` · ${clip(gpu, 48)}`}</Text> : null}
          {deep?.phase === 'running' ? <Text {...accent(theme)}>{` · deep scan ${Math.round(deep.fraction * 100)}%`}</Text> : null}
          {warnings.length && !notRoot && !gap ? <Text {...severityStyle(theme, 'medium')}>{` · ${clip(warnings[0], 60)}`}</Text> : null}
        </Text>
      </Box>
    </Box>
  );
}
