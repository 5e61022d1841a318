/** The two versions a diff compares, as number fields (applied on Enter or when left). */
import { useEffect, useId, useState } from 'react';

export function VersionPicker({
  from,
  to,
  head,
  onChange,
}: {
  from: number;
  to: number;
  head: number;
  onChange: (from: number, to: number) => void;
}) {
  const ids = useId();
  const [a, setA] = useState(String(from));
  const [b, setB] = useState(String(to));
  useEffect(() => {
    setA(String(from));
    setB(String(to));
  }, [from, to]);
  const valid = (s: string) => /^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= head;
  const apply = () => {
    if (valid(a) && valid(b) && (Number(a) !== from || Number(b) !== to))
      onChange(Number(a), Number(b));
    else {
      if (!valid(a)) setA(String(from));
      if (!valid(b)) setB(String(to));
    }
  };
  return (
    <form
      className="version-picker"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <label htmlFor={`${ids}-from`}>Compare version</label>
      <input
        id={`${ids}-from`}
        className="input numeric"
        inputMode="numeric"
        value={a}
        onChange={(e) => setA(e.target.value)}
        onBlur={apply}
      />
      <label htmlFor={`${ids}-to`}>with</label>
      <input
        id={`${ids}-to`}
        className="input numeric"
        inputMode="numeric"
        value={b}
        onChange={(e) => setB(e.target.value)}
        onBlur={apply}
      />
      <span className="faint numeric">of {head}</span>
    </form>
  );
}
