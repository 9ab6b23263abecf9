// `cdk deploy -c siteOrigin=… -c webhookUrl=… [-c cognitoUserPoolId=… -c cognitoClientId=…] …`
// (README.md lists every context value). The stack is environment-agnostic: it deploys to the
// account and region of your AWS CLI profile and needs no lookups to synthesize.
import { App } from 'aws-cdk-lib';
import { AvatarFlowStack } from '../lib/avatar-flow-stack';
import { SettingsError, settingsFromContext } from '../lib/settings';

const app = new App();
const stackName = String(app.node.tryGetContext('stackName') ?? 'ThumbsmithAvatars');
try {
  new AvatarFlowStack(app, stackName, settingsFromContext(app.node));
} catch (err) {
  // A wrong context value is the user's to fix: the message, not a stack trace.
  if (!(err instanceof SettingsError)) throw err;
  console.error(err.message);
  process.exit(1);
}
app.synth();
