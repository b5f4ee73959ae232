"""botocore's CloudFrontSigner, for comparing EduFlow's CloudFront URLs byte for byte.

    cloudfront_sign.py genkey KEY.pem          writes a fresh 2048-bit RSA key (PKCS#1 PEM)
    cloudfront_sign.py sign KEY.pem ID EXPIRES URL...   prints one signed URL per line
"""
import datetime
import sys

from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def genkey(path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with open(path, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )


def sign(path, key_id, expires, urls):
    with open(path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)

    def rsa_signer(message):
        return key.sign(message, padding.PKCS1v15(), hashes.SHA1())

    signer = CloudFrontSigner(key_id, rsa_signer)
    when = datetime.datetime.fromtimestamp(int(expires), tz=datetime.timezone.utc)
    for url in urls:
        print(signer.generate_presigned_url(url, date_less_than=when))


if __name__ == "__main__":
    if sys.argv[1] == "genkey":
        genkey(sys.argv[2])
    else:
        sign(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
