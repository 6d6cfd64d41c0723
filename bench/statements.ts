/** Distinct first-person memories for the benchmarks that fill a store (bench/send-path.ts). */

const NAMES = ['Priya', 'Tom', 'Ana', 'Lukas', 'Mei', 'Omar', 'Sofia', 'Jonas', 'Aisha', 'Pedro', 'Lena', 'Kenji', 'Maya', 'Ivan', 'Chloe', 'Ravi', 'Nora', 'Felix', 'Yara', 'Hugo'];
const RELATIONS = ['sister', 'brother', 'friend', 'colleague', 'cousin', 'neighbour', 'aunt', 'uncle', 'manager', 'mentor'];
const CITIES = ['Lisbon', 'Porto', 'Berlin', 'Leeds', 'Madrid', 'Kyoto', 'Oslo', 'Lyon', 'Dublin', 'Prague', 'Vienna', 'Seville', 'Bristol', 'Ghent', 'Turin', 'Bergen', 'Krakow', 'Utrecht', 'Nantes', 'Malmo', 'Bologna', 'Graz', 'Cork', 'Aarhus', 'Basel'];
const FOODS = ['sushi', 'ramen', 'tapas', 'pho', 'dumplings', 'falafel', 'curry', 'pizza', 'tacos', 'paella', 'risotto', 'bibimbap'];
const SKILLS = ['pottery', 'salsa', 'climbing', 'chess', 'guitar', 'sailing', 'Portuguese', 'watercolour', 'bouldering', 'baking'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `n` distinct first-person statements of the kinds people tell an assistant. */
export function statements(n: number): string[] {
  const out = new Set<string>();
  for (let i = 0; out.size < n; i++) {
    const pick = <T>(xs: readonly T[], salt: number): T => xs[Math.floor(i / salt) % xs.length]!;
    const name = pick(NAMES, 1);
    const city = pick(CITIES, 20);
    switch (i % 5) {
      case 0:
        out.add(`My ${pick(RELATIONS, 7)} ${name} lives in ${city} and works near the ${pick(FOODS, 500)} place`);
        break;
      case 1:
        out.add(`I went to ${city} with ${name} in ${pick(MONTHS, 3)} ${2010 + (Math.floor(i / 500) % 16)}`);
        break;
      case 2:
        out.add(`I've been learning ${pick(SKILLS, 3)} with ${name} since ${2000 + (Math.floor(i / 500) % 26)} in ${city}`);
        break;
      case 3:
        out.add(`I love the ${pick(FOODS, 3)} from the place on ${pick(NAMES, 13)} Street in ${city}, ${i % 97} minutes from home`);
        break;
      default:
        out.add(`${name} is my ${pick(RELATIONS, 11)}'s partner and they have a ${pick(['dog', 'cat', 'parrot', 'rabbit'], 3)} called ${pick(NAMES, 17)}${i % 89}`);
    }
  }
  return [...out];
}

