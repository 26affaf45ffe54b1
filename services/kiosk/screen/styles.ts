/**
 * The kiosk screen's style sheet (`/screen.css`): large touch targets, a
 * multi-function printer's panel proportions, Japanese above English.
 *
 * @module
 */

/** The style sheet. */
export const SCREEN_CSS = `
* { box-sizing: border-box; }
body { margin: 0; background: #dfe5ea; color: #1b2733;
  font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", sans-serif; }
.kiosk { max-width: 1024px; min-height: 100vh; margin: 0 auto; background: #fff;
  display: flex; flex-direction: column; }
.bar { background: #0b5394; color: #fff; padding: 14px 24px; font-size: 20px; }
.bar .en { color: #cfe0f3; }
.en { display: block; font-size: 0.62em; color: #55626f; font-weight: normal; }
.steps { display: flex; gap: 4px; list-style: none; margin: 0; padding: 8px 16px;
  background: #eef2f6; font-size: 15px; }
.steps li { flex: 1; text-align: center; padding: 6px 2px; border-radius: 6px; color: #7a8794; }
.steps li.done { color: #0b5394; }
.steps li.now { background: #0b5394; color: #fff; font-weight: bold; }
.steps li.now .en { color: #dce8f5; }
main { flex: 1; padding: 24px 40px 32px; }
h1 { font-size: 30px; margin: 8px 0 24px; }
.choices { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
button, .button { font: inherit; font-size: 24px; padding: 18px 22px; border-radius: 12px;
  border: 2px solid #0b5394; background: #f4f8fc; color: #0b3d6e; cursor: pointer;
  text-align: left; text-decoration: none; display: inline-block; }
.choices button { min-height: 120px; }
button:disabled { opacity: 0.45; cursor: not-allowed; }
.primary { background: #0b5394; color: #fff; }
.primary .en { color: #dce8f5; }
.secondary { font-size: 18px; padding: 12px 18px; background: #fff; }
.fee { display: block; margin-top: 8px; font-size: 18px; color: #a33b00; }
.note { display: block; margin-top: 6px; font-size: 16px; color: #55626f; }
.nav { display: flex; gap: 16px; margin-top: 28px; align-items: center; }
.nav form { margin: 0; }
.hint { color: #55626f; font-size: 17px; }
.notice { background: #fff6db; border-left: 6px solid #e0a800; padding: 12px 16px; font-size: 20px; }
.options label, .simulate label { display: flex; gap: 14px; align-items: center;
  font-size: 22px; padding: 12px 0; }
.options input, .simulate input { width: 30px; height: 30px; }
fieldset { border: 0; padding: 0; margin: 0; }
.simulate { margin: 16px 0 24px; font-size: 18px; color: #55626f; }
.summary { display: grid; grid-template-columns: 200px 1fr; gap: 12px 20px; font-size: 22px; }
.summary dt { color: #55626f; }
.summary dd { margin: 0; }
.sheets { margin: 0; padding-left: 1.4em; }
.void { margin-left: 12px; color: #b00020; font-size: 0.8em; }
.pin input { font-size: 40px; letter-spacing: 0.5em; width: 260px; padding: 8px 16px;
  text-align: center; border: 2px solid #0b5394; border-radius: 10px; }
.pad { display: grid; grid-template-columns: repeat(3, 110px); gap: 12px; margin: 20px 0; }
.pad[hidden] { display: none; }
.pad button { text-align: center; font-size: 32px; padding: 14px 0; }
.pad button.fn { font-size: 20px; }
.refused main, .alarm main { text-align: center; }
.refused h1 { color: #b00020; }
.message { font-size: 26px; line-height: 1.6; }
.tries { font-size: 24px; font-weight: bold; color: #b00020; }
.code { color: #8a96a3; font-family: monospace; }
.refused .nav, .alarm .nav { justify-content: center; }
body.alarm { background: #b00020; }
.alarm .kiosk { background: #fff0f0; }
.alarm main { border: 10px solid #b00020; }
.bell { width: 120px; height: 120px; margin: 16px auto; border-radius: 50%; background: #b00020;
  color: #fff; font-size: 88px; font-weight: bold; line-height: 120px; }
`;
