package main

// Key material the harness needs, generated fresh for each run so nothing secret is ever committed:
// a CA, a serving certificate for 127.0.0.1 signed by it, and the service-account signing key pair
// that kube-apiserver refuses to start without.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// certificateFiles are the PEM files written into the run's directory.
type certificateFiles struct {
	caCert            string
	servingCert       string
	servingKey        string
	serviceAccountPK  string // private key: the apiserver signs service-account tokens with it
	serviceAccountPub string
}

func writeCertificates(dir string) (certificateFiles, error) {
	files := certificateFiles{
		caCert:            filepath.Join(dir, "ca.crt"),
		servingCert:       filepath.Join(dir, "apiserver.crt"),
		servingKey:        filepath.Join(dir, "apiserver.key"),
		serviceAccountPK:  filepath.Join(dir, "service-account.key"),
		serviceAccountPub: filepath.Join(dir, "service-account.pub"),
	}
	now := time.Now()

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return files, err
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "eks-lambda-scaler test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return files, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return files, err
	}

	servingKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return files, err
	}
	servingTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
	}
	servingDER, err := x509.CreateCertificate(rand.Reader, servingTemplate, caCert, &servingKey.PublicKey, caKey)
	if err != nil {
		return files, err
	}

	serviceAccountKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return files, err
	}
	serviceAccountPub, err := x509.MarshalPKIXPublicKey(&serviceAccountKey.PublicKey)
	if err != nil {
		return files, err
	}

	writes := []struct {
		path      string
		blockType string
		der       []byte
	}{
		{files.caCert, "CERTIFICATE", caDER},
		{files.servingCert, "CERTIFICATE", servingDER},
		{files.serviceAccountPub, "PUBLIC KEY", serviceAccountPub},
	}
	for _, w := range writes {
		if err := writePEM(w.path, w.blockType, w.der); err != nil {
			return files, err
		}
	}
	for path, key := range map[string]*ecdsa.PrivateKey{files.servingKey: servingKey, files.serviceAccountPK: serviceAccountKey} {
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return files, err
		}
		if err := writePEM(path, "EC PRIVATE KEY", der); err != nil {
			return files, err
		}
	}
	return files, nil
}

func writePEM(path, blockType string, der []byte) error {
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
