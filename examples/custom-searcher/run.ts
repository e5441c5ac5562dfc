// A smooth black box with its maximum at x=0.3, y=-0.2, shape "round". SPRUCE_TEST_SLEEP_MS slows
// it down for the resume test.
export async function run(p: { x: number; y: number; shape: string }): Promise<number> {
  const ms = Number(process.env.SPRUCE_TEST_SLEEP_MS ?? 0);
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  return -((p.x - 0.3) ** 2) - (p.y + 0.2) ** 2 - (p.shape === "round" ? 0 : 0.05);
}
