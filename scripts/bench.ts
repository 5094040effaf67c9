export {};
console.log('bench: not yet');
