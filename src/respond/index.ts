// Public API of the response engine (no React, no child processes).
export { pinTarget, verifyTarget, describeTarget } from './target';
export type { PinnedTarget, TargetOptions, VerifyResult } from './target';
export { refusal, ancestorsOf } from './guard';
export type { GuardContext } from './guard';
export { sendSignal, defaultSignalFn } from './signal';
export type { SignalFn, SignalDeps, SignalResult, SignalOutcome, ResponseSignal } from './signal';
export { familyOf, killFamily } from './family';
export type { Family, FamilyOptions, MemberResult } from './family';
export { captureEvidence, defaultEvidenceDir, scriptArgument } from './evidence';
export type { EvidenceFile, EvidenceOptions, EvidenceResult } from './evidence';
export { AuditLog, defaultAuditPath, currentActor, auditTarget, safeJson } from './audit';
export type { AuditAction, AuditActor, AuditInput, AuditRecord, AuditTarget } from './audit';
export { commentOutLine, disableUnitLink } from './persistenceEdit';
export type { CommentOutOptions, EditResult } from './persistenceEdit';
export { RespawnWatch } from './respawn';
export type { KilledProcess } from './respawn';
export { parseStat, PF_KTHREAD } from './procread';
