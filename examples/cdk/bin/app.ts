// `cdk deploy -c siteOrigin=… -c webhookUrl=… [-c cognitoUserPoolId=… -c cognitoClientId=…] …`
// (README.md lists every context value). The stack is environment-agnostic: it deploys to the
// account and region of your AWS CLI profile and needs no lookups to synthesize.
import { App } from 'aws-cdk-lib';
import { AvatarFlowStack } from '../lib/avatar-flow-stack';
import { settingsFromContext } from '../lib/settings';

const app = new App();
const stackName = String(app.node.tryGetContext('stackName') ?? 'ThumbsmithAvatars');
new AvatarFlowStack(app, stackName, settingsFromContext(app.node));
app.synth();
