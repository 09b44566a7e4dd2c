"""Account: credits, and API keys for scripts (the OpenAI- and ElevenLabs-compatible API)."""
import streamlit as st

from studio.errors import StudioError
from ui import session, widgets

studio, user = session.studio(), session.user()
st.title("Account")
st.metric("Credits", f"{studio.balance(user):,}")

st.subheader("API")
host = st.context.headers.get("host", "127.0.0.1:8501")
base = f"http://{host}"
st.markdown(f"The API listens beside this page at `{base}/v1` (OpenAI: `/v1/audio/speech`; ElevenLabs: "
            f"`/v1/text-to-speech/{{voice_id}}`, `/v1/voices`, `/v1/history`…). Send a key as "
            "`Authorization: Bearer <key>` or `xi-api-key: <key>`.")
if studio.settings.auth == "single":
    with st.expander("This studio's local key (single-user mode)"):
        st.code(studio.local_api_key(), language=None)
        st.caption("Also in `<data folder>/api-key`. Anyone who can reach this port with it uses your credits.")

with st.form("new_key", clear_on_submit=True):
    name = st.text_input("Name of a new key", max_chars=60, placeholder="laptop script")
    if st.form_submit_button("Create key", icon=":material/key:"):
        try:
            _, secret = studio.create_api_key(user, name)
            st.session_state["account_new_key"] = secret
        except StudioError as error:
            widgets.show_error(error)
secret = st.session_state.pop("account_new_key", None)
if secret:
    st.success("Copy the key now: it is shown only this once.", icon=":material/key:")
    st.code(secret, language=None)
    st.code(f'curl {base}/v1/audio/speech -H "Authorization: Bearer {secret}" -H "Content-Type: application/json" '
            '-d \'{"model": "tts-1", "voice": "alloy", "input": "Hello!"}\' -o hello.mp3', language="bash")

keys = [k for k in studio.api_keys(user) if not k["revoked_at"]]
if not keys:
    st.caption("No API keys yet.")
for key in keys:
    a, b, c = st.columns([3, 3, 1], vertical_alignment="center")
    a.markdown(f"**{key['name']}** · `{key['shown']}`")
    b.caption(f"created {key['created_at'][:16].replace('T', ' ')} · last used "
              f"{(key['last_used_at'] or 'never')[:16].replace('T', ' ')}")
    if c.button("Revoke", key=f"revoke_{key['id']}", icon=":material/delete:"):
        widgets.act(studio.revoke_api_key, user, key["id"])
