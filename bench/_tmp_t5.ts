import { loadPredictor } from '../src/core/predictor/load';
import { chooseExtraArchitectures, neutralScores } from '../src/core/devices/choose';
async function main() {
  for (const sp of ['nasbench201', 'fbnet', 'ofa']) {
    let t = Date.now();
    const p: any = await loadPredictor(sp);
    const tl = Date.now() - t; t = Date.now();
    const x = chooseExtraArchitectures(p, 10);
    const tc = Date.now() - t; t = Date.now();
    chooseExtraArchitectures(p, 10);
    console.log(sp, 'load', tl, 'choose', tc, 'again', Date.now() - t, x.length, neutralScores(p, x).map((v: number) => v.toFixed(2)).join(' '));
  }
}
main();
