/**
 * Walks members in id order a page at a time, by keyset: each page starts after the last id of the
 * one before (no OFFSET, so a page costs the same wherever it is). `page(after, limit)` reads the
 * next ids, `visit` handles them; a short page is the last.
 */
export const forEachMemberPage = async (
  page: (after: string, limit: number) => Promise<string[]>,
  limit: number,
  visit: (memberIds: string[]) => Promise<void>,
): Promise<void> => {
  let after = '';
  for (;;) {
    const memberIds = await page(after, limit);
    if (memberIds.length === 0) return;
    await visit(memberIds);
    if (memberIds.length < limit) return;
    after = memberIds[memberIds.length - 1];
  }
};

/** The `member_id` column of rows read by a page query. */
export const memberIdsOf = (rows: { member_id: string }[]): string[] => rows.map((r) => r.member_id);
