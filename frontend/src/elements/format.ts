// A printf subset for slider and number formats (`%d`, `%i`, `%u`, `%f`, `%.2f`, `%e`, `%g`,
// `%s`, `%%`, with a literal prefix or suffix such as `$%.2f` or `%d%%`), as Streamlit accepts.
const SPEC = /%([+ 0-]*)(\d+)?(?:\.(\d+))?([diufeEgGs%])/g;

export function formatNumber(value: number, format: string | null | undefined, dataType: "int" | "float"): string {
  if (!format) return dataType === "int" ? String(Math.round(value)) : String(Number(value.toPrecision(12)));
  return format.replace(SPEC, (_m, flags: string, width: string | undefined, precision: string | undefined, kind: string) => {
    if (kind === "%") return "%";
    const digits = precision === undefined ? undefined : Number(precision);
    let out: string;
    switch (kind) {
      case "d":
      case "i":
      case "u":
        out = String(Math.trunc(value));
        break;
      case "f":
        out = value.toFixed(digits ?? 6);
        break;
      case "e":
      case "E":
        out = value.toExponential(digits ?? 6);
        if (kind === "E") out = out.toUpperCase();
        break;
      case "g":
      case "G":
        out = String(Number(value.toPrecision(digits || 6)));
        break;
      default:
        out = String(value);
    }
    if (flags.includes("+") && value >= 0) out = `+${out}`;
    if (width && out.length < Number(width)) {
      const pad = flags.includes("0") && !flags.includes("-") ? "0" : " ";
      out = flags.includes("-") ? out.padEnd(Number(width)) : out.padStart(Number(width), pad);
    }
    return out;
  });
}
