/**
 * PostgreSQL's in-memory sort, so that rows that tie on every sort key come out in the order
 * PostgreSQL gives them (first_value/last_value/nth_value/array_agg over peers show that order).
 * Follows src/include/lib/sort_template.h of PostgreSQL 15 (Bentley & McIlroy's quicksort from
 * NetBSD's qsort.c, with PostgreSQL's changes): insertion sort under 7 elements, a check for
 * presorted input at every level, the middle element as pivot at 7, the median of three from 8 to
 * 40 and Tukey's ninther above, equal keys gathered at both ends and swapped into the middle, then
 * recursion on the smaller side and iteration on the larger. tuplesort.c's qsort_tuple,
 * qsort_ssup and their int32/signed/unsigned specialisations are all this template and use only
 * the sign of the comparison, so one port reproduces every one of them. Not stable.
 */

/** Sorts `a[lo, lo + n)` in place, exactly as PostgreSQL's ST_SORT permutes it for the same comparator signs. */
export function pgQsort<T>(a: T[], cmp: (x: T, y: T) => number, lo = 0, n = a.length - lo): void {
  const swap = (i: number, j: number): void => {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  };
  const swapn = (i: number, j: number, k: number): void => {
    for (let x = 0; x < k; x++) swap(i + x, j + x);
  };
  const med3 = (i: number, j: number, k: number): number =>
    cmp(a[i]!, a[j]!) < 0
      ? (cmp(a[j]!, a[k]!) < 0 ? j : cmp(a[i]!, a[k]!) < 0 ? k : i)
      : (cmp(a[j]!, a[k]!) > 0 ? j : cmp(a[i]!, a[k]!) < 0 ? i : k);

  for (;;) {
    if (n < 7) {
      for (let m = lo + 1; m < lo + n; m++) {
        for (let l = m; l > lo && cmp(a[l - 1]!, a[l]!) > 0; l--) swap(l, l - 1);
      }
      return;
    }
    let presorted = true;
    for (let m = lo + 1; m < lo + n; m++) {
      if (cmp(a[m - 1]!, a[m]!) > 0) {
        presorted = false;
        break;
      }
    }
    if (presorted) return;
    let pm = lo + (n >> 1);
    if (n > 7) {
      let pl = lo, pn = lo + n - 1;
      if (n > 40) {
        const d = n >> 3;
        pl = med3(pl, pl + d, pl + 2 * d);
        pm = med3(pm - d, pm, pm + d);
        pn = med3(pn - 2 * d, pn - d, pn);
      }
      pm = med3(pl, pm, pn);
    }
    swap(lo, pm);
    const pivot = a[lo]!;
    let pa = lo + 1, pb = pa, pc = lo + n - 1, pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb]!, pivot)) <= 0) {
        if (r === 0) swap(pa++, pb);
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc]!, pivot)) >= 0) {
        if (r === 0) swap(pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(pb++, pc--);
    }
    const pn = lo + n;
    let d1 = Math.min(pa - lo, pb - pa);
    swapn(lo, pb - d1, d1);
    d1 = Math.min(pd - pc, pn - pd - 1);
    swapn(pb, pn - d1, d1);
    d1 = pb - pa;
    const d2 = pd - pc;
    if (d1 <= d2) {
      if (d1 > 1) pgQsort(a, cmp, lo, d1);
      if (d2 <= 1) return;
      lo = pn - d2;
      n = d2;
    } else {
      if (d2 > 1) pgQsort(a, cmp, pn - d2, d2);
      if (d1 <= 1) return;
      n = d1;
    }
  }
}
