// A local-kms server bound to one address: upstream's start-up listens on every interface (":" + PORT),
// and the project's dependencies listen on loopback (and the node bridge) only. Everything else —
// storage, seeding, the KMS API — is upstream's code (github.com/nsmithuk/local-kms, MIT).
//
//	KMS_LISTEN=127.0.0.1:14580 KMS_DATA_PATH=... KMS_SEED_PATH=seed.yaml local-kms
package main

import (
	"log"
	"net/http"
	"os"
	"path/filepath"
	_ "unsafe" // go:linkname

	kms "github.com/nsmithuk/local-kms/src"
	"github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"
)

// Upstream's seeding (keys and aliases from a YAML file, existing ones left alone) is not exported.
//
//go:linkname seed github.com/nsmithuk/local-kms/src.seed
func seed(path string, database *data.Database)

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	listen := os.Getenv("KMS_LISTEN")
	if listen == "" {
		log.Fatal("KMS_LISTEN (host:port) is required")
	}
	config.AWSAccountId = env("KMS_ACCOUNT_ID", "111122223333")
	config.AWSRegion = env("KMS_REGION", "eu-west-2")
	config.DatabasePath, _ = filepath.Abs(env("KMS_DATA_PATH", "local-kms-data"))
	database := data.NewDatabase(config.DatabasePath)
	defer database.Close()
	seed(os.Getenv("KMS_SEED_PATH"), database)
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { kms.HandleRequest(w, r, database) })
	log.Printf("local-kms listening on %s, data in %s", listen, config.DatabasePath)
	log.Fatal(http.ListenAndServe(listen, nil))
}
