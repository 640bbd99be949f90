// Writes an opening-balance CSV of N members (default 1,000,000) for `tally import`:
//   node tools/bench/opening-balances.mjs 1000000 > /tmp/opening.csv
// Every row is valid: one to three lots expiring in 2099, every tenth row with a tier.
const rows = Number(process.argv[2] ?? 1_000_000);
const tiers = ['silver', 'gold', 'diamond'];
const out = process.stdout;
let buffer = 'memberId,points,lots,tier\n';
for (let i = 0; i < rows; i++) {
  const lots = [];
  let points = 0;
  for (let l = 0; l <= i % 3; l++) {
    const p = 10 + ((i * 7 + l * 13) % 990);
    points += p;
    lots.push(`${p}@2099-${String(1 + ((i + l) % 12)).padStart(2, '0')}-01`);
  }
  buffer += `imp-${i},${points},${lots.join(';')},${i % 10 === 0 ? tiers[i % 3] : ''}\n`;
  if (buffer.length > 1 << 20) {
    if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve));
    buffer = '';
  }
}
out.write(buffer);
