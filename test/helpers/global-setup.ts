// Placeholder replaced by the database template preparation once src/db exists.
export default function setup(): void {}
