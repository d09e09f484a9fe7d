// st.balloons() and st.snow(): a short CSS animation, loaded on first use.
import { useEffect, useState } from "react";

const COUNT = 24;

export default function BalloonsView({ nonce, kind }: { nonce: number; kind: "balloons" | "snow" }) {
  const [visible, setVisible] = useState(true);
  useEffect(() => {
    setVisible(true);
    const timer = setTimeout(() => setVisible(false), 3500);
    return () => clearTimeout(timer);
  }, [nonce]);
  const testId = kind === "snow" ? "stSnow" : "stBalloons";
  if (!visible) return <div data-testid={testId} data-done="true" />;
  return (
    <div className="balloons" data-testid={testId} aria-hidden="true">
      {Array.from({ length: COUNT }, (_, i) => (
        <span
          key={`${nonce}-${i}`}
          className={kind === "snow" ? "snowflake" : "balloon"}
          style={{ left: `${(i * 97) % 100}%`, animationDelay: `${(i % 8) * 0.12}s` }}
        >
          {kind === "snow" ? "❄" : "🎈"}
        </span>
      ))}
    </div>
  );
}
