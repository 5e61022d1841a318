/** The theme switch in the sidebar: follow the system, or always light, or always dark. */
import { Segmented } from '../components/Segmented';
import { useTheme, type ThemeChoice } from './theme';

const options: readonly { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'Auto' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function ThemeToggle() {
  const { choice, setChoice } = useTheme();
  return <Segmented label="Colour theme" options={options} value={choice} onChange={setChoice} />;
}
