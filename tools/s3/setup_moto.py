"""Sets a fresh moto server up for the tests: an IAM user allowed s3:*, its access key, and the
bucket `vgx-test` (made with that key, so signing is on from the first S3 call). Prints
"ACCESS SECRET"."""
import json
import sys

import boto3

endpoint = sys.argv[1]
anonymous = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
iam = boto3.client("iam", **anonymous)
iam.create_user(UserName="vgx")
iam.put_user_policy(
    UserName="vgx", PolicyName="s3",
    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
)
key = iam.create_access_key(UserName="vgx")["AccessKey"]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket="vgx-test")
print(key["AccessKeyId"], key["SecretAccessKey"])
