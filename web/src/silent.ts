// The hidden iframe's page for silent renew: hands the code back to the app's UserManager.
import { UserManager } from "oidc-client-ts";

void new UserManager({ authority: "", client_id: "", redirect_uri: "" }).signinSilentCallback();
