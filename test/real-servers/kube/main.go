// Command kube-test-apiserver runs a real kube-apiserver, with embedded etcd, on loopback for the
// eks-lambda-scaler test suites. It authenticates the way EKS does (an authentication webhook that
// accepts EKS tokens and maps IAM identities to Kubernetes groups, see eks_webhook.go), authorizes
// with RBAC only, and also accepts one static admin token for the tests' own set-up.
//
// It prints one JSON line on stdout once /readyz answers 200, then runs until SIGTERM, SIGINT or
// until its stdin closes: the test process holds the other end of stdin, so a test run that
// crashes cannot leave a server behind.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

const (
	readyTimeout = 180 * time.Second
	// Graceful shutdown of the apiserver normally takes a second or two; past this, exit anyway.
	shutdownTimeout = 20 * time.Second
	adminUser       = "test-admin"
)

type readyLine struct {
	Endpoint   string `json:"endpoint"`
	CAFile     string `json:"caFile"`
	CAPEM      string `json:"caPem"`
	AdminToken string `json:"adminToken"`
	Ports      struct {
		APIServer int `json:"apiServer"`
		Etcd      int `json:"etcd"`
		Webhook   int `json:"webhook"`
	} `json:"ports"`
	StartMillis int64 `json:"startMillis"`
}

func main() {
	identitiesJSON := flag.String("identities", "{}", `access entries as JSON: {"<access key id>": {"secretAccessKey": "...", "username": "...", "groups": ["..."]}}`)
	clusterName := flag.String("cluster-name", "test-cluster", "the EKS cluster name tokens must be signed for (x-k8s-aws-id)")
	tokenMaxAge := flag.Duration("token-max-age", 15*time.Minute, "how long after signing an EKS token is accepted; 0 accepts any age (fake clocks)")
	flag.Parse()
	if err := run(*identitiesJSON, *clusterName, *tokenMaxAge); err != nil {
		fmt.Fprintln(os.Stderr, "kube-test-apiserver:", err)
		os.Exit(1)
	}
}

func run(identitiesJSON, clusterName string, tokenMaxAge time.Duration) error {
	started := time.Now()
	var identities map[string]eksIdentity
	if err := json.Unmarshal([]byte(identitiesJSON), &identities); err != nil {
		return fmt.Errorf("--identities is not a JSON object of access entries: %w", err)
	}

	dir, err := os.MkdirTemp("", "kube-test-apiserver-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	certs, err := writeCertificates(dir)
	if err != nil {
		return err
	}
	ports, err := freeLoopbackPorts(3)
	if err != nil {
		return err
	}
	apiServerPort, etcdClientPort, etcdPeerPort := ports[0], ports[1], ports[2]

	etcd, etcdURL, err := startEtcd(dir, etcdClientPort, etcdPeerPort)
	if err != nil {
		return err
	}
	defer etcd.Close()

	webhookListener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	webhook := &http.Server{
		Handler:           &eksAuthenticator{clusterName: clusterName, identities: identities, maxAge: tokenMaxAge, now: time.Now},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = webhook.Serve(webhookListener) }()
	defer webhook.Close()
	webhookPort := webhookListener.Addr().(*net.TCPAddr).Port

	adminToken, err := randomHex(24)
	if err != nil {
		return err
	}
	tokenFile := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokenFile, []byte(fmt.Sprintf("%s,%s,%s,\"system:masters\"\n", adminToken, adminUser, adminUser)), 0o600); err != nil {
		return err
	}
	webhookConfig := filepath.Join(dir, "eks-authenticator.kubeconfig")
	if err := os.WriteFile(webhookConfig, []byte(webhookKubeconfig(webhookPort)), 0o600); err != nil {
		return err
	}

	args := []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiServerPort),
		"--tls-cert-file=" + certs.servingCert,
		"--tls-private-key-file=" + certs.servingKey,
		"--cert-dir=" + filepath.Join(dir, "generated-certs"),
		"--authorization-mode=RBAC",
		"--token-auth-file=" + tokenFile,
		"--authentication-token-webhook-config-file=" + webhookConfig,
		"--authentication-token-webhook-version=v1",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + certs.serviceAccountPub,
		"--service-account-signing-key-file=" + certs.serviceAccountPK,
		"--service-cluster-ip-range=10.96.0.0/16",
		// Without a controller manager nobody creates a namespace's "default" ServiceAccount, and the
		// ServiceAccount admission plugin would refuse every pod for lack of it. The scaler never
		// creates pods, so the plugin has nothing to check for it.
		"--disable-admission-plugins=ServiceAccount",
		// The endpoint reconciler would try to publish 127.0.0.1 as the kubernetes Service's endpoint,
		// which validation forbids (loopback), and log the failure forever.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
	}

	// The apiserver's command installs its own SIGTERM/SIGINT handler and shuts down gracefully on
	// the first signal; closing stdin is turned into the same signal.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}()
	stopping := make(chan os.Signal, 1)
	signal.Notify(stopping, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stopping
		time.Sleep(shutdownTimeout)
		fmt.Fprintln(os.Stderr, "kube-test-apiserver: graceful shutdown took too long, exiting")
		os.RemoveAll(dir)
		os.Exit(2)
	}()

	command := app.NewAPIServerCommand()
	command.SetArgs(args)
	apiServerDone := make(chan error, 1)
	go func() { apiServerDone <- command.Execute() }()

	endpoint := fmt.Sprintf("https://127.0.0.1:%d", apiServerPort)
	caPEM, err := os.ReadFile(certs.caCert)
	if err != nil {
		return err
	}
	if err := waitReady(endpoint, caPEM, adminToken, apiServerDone); err != nil {
		return err
	}

	line := readyLine{Endpoint: endpoint, CAFile: certs.caCert, CAPEM: string(caPEM), AdminToken: adminToken, StartMillis: time.Since(started).Milliseconds()}
	line.Ports.APIServer, line.Ports.Etcd, line.Ports.Webhook = apiServerPort, etcdClientPort, webhookPort
	out := bufio.NewWriter(os.Stdout)
	if err := json.NewEncoder(out).Encode(line); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}

	return <-apiServerDone
}

func waitReady(endpoint string, caPEM []byte, adminToken string, apiServerDone <-chan error) error {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return errors.New("generated CA is not valid PEM")
	}
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
	}
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-apiServerDone:
			return fmt.Errorf("kube-apiserver exited before it was ready: %v", err)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		request, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/readyz", nil)
		request.Header.Set("Authorization", "Bearer "+adminToken)
		response, err := client.Do(request)
		if err == nil {
			_, _ = io.Copy(io.Discard, response.Body)
			response.Body.Close()
			if response.StatusCode == http.StatusOK {
				cancel()
				return nil
			}
		}
		cancel()
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("kube-apiserver /readyz was not 200 after %s", readyTimeout)
}

func webhookKubeconfig(port int) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
  - name: eks-authenticator
    cluster:
      server: http://127.0.0.1:%d/authenticate
users:
  - name: kube-apiserver
contexts:
  - name: webhook
    context:
      cluster: eks-authenticator
      user: kube-apiserver
current-context: webhook
`, port)
}

// freeLoopbackPorts asks the kernel for n distinct free ports. They are released before the servers
// bind them; the window is short and the kernel hands out ports in sequence, so collisions are rare.
func freeLoopbackPorts(n int) ([]int, error) {
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, listener := range listeners {
			listener.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, listener)
		ports = append(ports, listener.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomHex(bytes int) (string, error) {
	buffer := make([]byte, bytes)
	if _, err := rand.Read(buffer); err != nil {
		return "", err
	}
	return hex.EncodeToString(buffer), nil
}
