/** Version of `@agent-ledger/sdk`, sent in the User-Agent. Kept equal to package.json (a unit test checks). */
export const SDK_VERSION = '0.2.0';
