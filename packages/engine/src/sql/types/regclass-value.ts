/** The regclass value (types/oid.ts), apart so values.ts can know it without the catalog look-ups. */

/** A regclass value: the relation's oid and its name as regclassout spells it when it was made. */
export class RegClass {
  constructor(readonly oid: number, readonly text: string) {}
  toString(): string {
    return this.text;
  }
}
