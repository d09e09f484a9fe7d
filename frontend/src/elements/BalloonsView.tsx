// st.balloons(): a short CSS animation, loaded on first use.
import { useEffect, useState } from "react";

const COUNT = 24;

export default function BalloonsView({ nonce }: { nonce: number }) {
  const [visible, setVisible] = useState(true);
  useEffect(() => {
    setVisible(true);
    const timer = setTimeout(() => setVisible(false), 3500);
    return () => clearTimeout(timer);
  }, [nonce]);
  if (!visible) return <div data-testid="stBalloons" data-done="true" />;
  return (
    <div className="balloons" data-testid="stBalloons" aria-hidden="true">
      {Array.from({ length: COUNT }, (_, i) => (
        <span
          key={`${nonce}-${i}`}
          className="balloon"
          style={{ left: `${(i * 97) % 100}%`, animationDelay: `${(i % 8) * 0.12}s` }}
        >
          🎈
        </span>
      ))}
    </div>
  );
}
