export default async function globalTeardown(): Promise<void> {
  const services = globalThis.__porticoServices;
  services?.redis?.stop();
  services?.postgres?.stop();
}
