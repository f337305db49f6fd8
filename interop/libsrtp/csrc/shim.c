/* A small C interface over libsrtp2 for the interop tests and benchmarks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <srtp2/srtp.h>

/* Profiles, in the order of mikey_sakke::srtp::Profile::ALL. */
static int set_policy(srtp_policy_t *p, int profile, int srtcp_encrypt)
{
    switch (profile) {
    case 0:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
        break;
    case 1:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p->rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
        break;
    case 2:
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p->rtp);
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p->rtcp);
        break;
    case 3:
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&p->rtp);
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p->rtcp);
        break;
    case 4:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
        break;
    case 5:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtcp);
        break;
    default:
        return -1;
    }
    if (!srtcp_encrypt)
        p->rtcp.sec_serv = sec_serv_auth;
    return 0;
}

int shim_init(void)
{
    static int done = 0;
    if (done)
        return 0;
    int r = (int)srtp_init();
    if (r == 0)
        done = 1;
    return r;
}

/* Creates a session. `key_salt` is master key || master salt. Returns the
 * libsrtp status (0 = ok); *out receives the session. */
int shim_create(void **out, int profile, int outbound, const uint8_t *key_salt,
                size_t key_salt_len, const uint8_t *mki, size_t mki_len,
                int srtcp_encrypt, unsigned long window)
{
    srtp_policy_t policy;
    srtp_master_key_t mk;
    srtp_master_key_t *mks[1];
    unsigned char buf[64 + SRTP_MAX_MKI_LEN];
    unsigned char mki_buf[SRTP_MAX_MKI_LEN];
    srtp_t session = NULL;
    int r;

    *out = NULL;
    if (key_salt_len > 64 || mki_len > SRTP_MAX_MKI_LEN)
        return -1;
    memset(&policy, 0, sizeof policy);
    if (set_policy(&policy, profile, srtcp_encrypt) != 0)
        return -1;
    memset(buf, 0, sizeof buf);
    memcpy(buf, key_salt, key_salt_len);
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.window_size = window;
    policy.allow_repeat_tx = 0;
    if (mki_len > 0) {
        memcpy(mki_buf, mki, mki_len);
        mk.key = buf;
        mk.mki_id = mki_buf;
        mk.mki_size = (unsigned int)mki_len;
        mks[0] = &mk;
        policy.keys = mks;
        policy.num_master_keys = 1;
    } else {
        policy.key = buf;
    }
    r = (int)srtp_create(&session, &policy);
    if (r == 0)
        *out = session;
    return r;
}

void shim_destroy(void *s)
{
    if (s)
        srtp_dealloc((srtp_t)s);
}

/* `buf` holds `*len` octets and must have room for the trailer. */
int shim_protect_rtp(void *s, uint8_t *buf, int *len, int use_mki)
{
    return (int)srtp_protect_mki((srtp_t)s, buf, len, use_mki, 0);
}

int shim_unprotect_rtp(void *s, uint8_t *buf, int *len, int use_mki)
{
    return (int)srtp_unprotect_mki((srtp_t)s, buf, len, use_mki);
}

int shim_protect_rtcp(void *s, uint8_t *buf, int *len, int use_mki)
{
    return (int)srtp_protect_rtcp_mki((srtp_t)s, buf, len, use_mki, 0);
}

int shim_unprotect_rtcp(void *s, uint8_t *buf, int *len, int use_mki)
{
    return (int)srtp_unprotect_rtcp_mki((srtp_t)s, buf, len, use_mki);
}

int shim_get_roc(void *s, uint32_t ssrc, uint32_t *roc)
{
    return (int)srtp_get_stream_roc((srtp_t)s, ssrc, roc);
}

int shim_max_trailer(void)
{
    return SRTP_MAX_TRAILER_LEN + 4;
}
