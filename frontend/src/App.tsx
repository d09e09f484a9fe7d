export function App() {
  return <main data-testid="stApp">Bastion</main>;
}
