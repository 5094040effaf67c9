export declare function identityWorkerSource(): string;
export declare function workerDefines(): Record<string, string>;
