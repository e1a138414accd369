// Command kubectl is the upstream CLI at the same version as the test API server.
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		// Print the error the way upstream kubectl does and exit non-zero.
		util.CheckErr(err)
	}
}
