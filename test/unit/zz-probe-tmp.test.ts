import { it } from 'vitest';
import { extractFacts } from '/work/main/src/pipeline/extract';
import { stripMemoryBlock, withMemoryBlock, BLOCK_HEADER } from '/work/main/src/inject/memory-block';
it('probe', () => {
  for (const s of ["I'm vegetarian and I live in Berlin", "If I ever moved to Paris, I would learn French.", "If I ever moved to Paris I would learn French", "If I ever moved to Paris…", "Can you suggest a recipe? I'm vegetarian.", "Please remember I like tea", "I like tea. I like tea! i like TEA", "I love 🍕 and my cat is 🐈", "אני גר בתל אביב and I live in ‏Tel Aviv‏", "I\u200Bm vegetarian\u200B and my\u200Bdog is Max", withMemoryBlock(["I live in Berlin"], "What should I cook tonight?"), withMemoryBlock(["I live in Berlin"], "I have a dog")]) console.log(JSON.stringify(s), JSON.stringify(extractFacts(s)));
  console.log(JSON.stringify(stripMemoryBlock(BLOCK_HEADER + "\n- fact\nWhat should I eat?")));
  let t = Date.now(); const rep = "I like tea. ".repeat(90000); console.log(rep.length, extractFacts(rep).length, Date.now()-t);
  t = Date.now(); let big = ''; for (let i=0; big.length < 1_000_000; i++) big += `I have ${i} cats. `; 
  console.log(big.length, extractFacts(big.slice(0, 100_000)).length, Date.now()-t);
  t = Date.now(); const one = 'I ' + 'a'.repeat(1_000_000); console.log(extractFacts(one).length, Date.now()-t);
  t = Date.now(); const nosplit = 'I like ' + 'tea and '.repeat(125000); console.log(extractFacts(nosplit).length, Date.now()-t);
});
