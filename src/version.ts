// The version minewatch reports (--version, ECS rule.version, minewatch_build_info).
export const VERSION = '0.1.0';
