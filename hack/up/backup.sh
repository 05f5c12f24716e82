# Backups on make up's platform (docs/backup.md, "On make up's platform"), sourced by hack/up.sh. Off unless
# KYC_UP_BACKUP=On: the backup CronJob has not been proven on the real node yet. On: the bucket in the host's
# SeaweedFS (make deps), the S3 credentials and the backup key as Secrets, and a spec.backup running every
# 30 minutes against SeaweedFS through the node bridge (hack/node/common.sh forwards its S3 port).
# Needs: NS, PLATFORM, NODE_IP, S3_ENDPOINT/S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY (hack/deps.sh env),
# apply_secret and secret (hack/up.sh).

UP_BACKUP_BUCKET=kyc-backups

# up_backup_secrets: the bucket and the Secrets; nothing when off.
up_backup_secrets() {
  [[ ${KYC_UP_BACKUP:-Off} == On ]] || return 0
  [[ -n ${S3_ENDPOINT:-} && -n ${S3_ACCESS_KEY_ID:-} ]] || die "KYC_UP_BACKUP=On needs SeaweedFS: run make deps (hack/deps/seaweedfs.sh)"
  # The project's own S3 client (no aws CLI on the host); an existing bucket is fine.
  BUCKET=$UP_BACKUP_BUCKET node --input-type=module -e "
    import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
    const s3 = new S3Client({ region: 'us-east-1', endpoint: process.env.S3_ENDPOINT, forcePathStyle: true,
      credentials: { accessKeyId: process.env.S3_ACCESS_KEY_ID, secretAccessKey: process.env.S3_SECRET_ACCESS_KEY } });
    await s3.send(new CreateBucketCommand({ Bucket: process.env.BUCKET })).catch((e) => {
      if (e.name !== 'BucketAlreadyOwnedByYou' && e.name !== 'BucketAlreadyExists') throw e;
    });
    s3.destroy();" || die "could not create bucket $UP_BACKUP_BUCKET in SeaweedFS ($S3_ENDPOINT)"
  apply_secret "$PLATFORM-backup-s3" "access-key-id=$S3_ACCESS_KEY_ID" "secret-access-key=$S3_SECRET_ACCESS_KEY"
  apply_secret "$PLATFORM-backup" "backup-key=$(secret backup-key 32)"
}

# up_backup_sample_edits: sed expressions appending spec.backup to the sample (its last block is under spec).
up_backup_sample_edits() {
  [[ ${KYC_UP_BACKUP:-Off} == On ]] || return 0
  local port=${S3_ENDPOINT##*:}
  printf '%s\n' -e '$a\  # Backups to the host'"'"'s SeaweedFS through the node bridge (KYC_UP_BACKUP=On; docs/backup.md).' \
    -e '$a\  backup:' \
    -e '$a\    schedule: "*/30 * * * *"' \
    -e '$a\    staleAfterMinutes: 90' \
    -e "\$a\\    bucket: $UP_BACKUP_BUCKET" \
    -e "\$a\\    endpoint: http://$NODE_IP:$port" \
    -e "\$a\\    credentialsSecretRef: { name: $PLATFORM-backup-s3 }" \
    -e "\$a\\    encryptionKeySecretRef: { name: $PLATFORM-backup }" \
    -e "\$a\\    networkPeers: [{ ipBlock: { cidr: $NODE_IP/32 } }]" \
    -e "\$a\\    ports: [$port]"
}
