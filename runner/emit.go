package runner

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// EmitOptions configure the job files ansatz emit prints. The zero value
// with Plan set is usable: defaults are filled in by Emit.
type EmitOptions struct {
	// Plan is the plan file (ansatz plan > plan.jsonl), as the jobs see it
	// from their working folder.
	Plan string `yaml:"plan" doc:"plan file, relative to the working folder of the jobs"`
	// Out is the output folder the runs write to (--out of ansatz run).
	Out string `yaml:"out" doc:"output folder of the runs"`
	// Name names the Slurm job or the Kubernetes Job.
	Name string `yaml:"name" doc:"job name (default ansatz)"`
	// Parallelism bounds how many runs go at once; 0 means no bound for
	// Slurm and all runs for Kubernetes.
	Parallelism int `yaml:"parallelism" doc:"runs at once; 0: Slurm unbounded, Kubernetes all"`
	// Bin is the ansatz command the jobs start.
	Bin string `yaml:"bin" doc:"the ansatz command in the job (default ansatz)"`
	// Workdir is the working folder of the jobs: Slurm --chdir (empty: the
	// submission folder), the container's workingDir (default /work).
	Workdir string `yaml:"workdir" doc:"working folder of the jobs"`
	// Image is the container image (Kubernetes).
	Image string `yaml:"image" doc:"container image holding ansatz (Kubernetes)"`
	// Claim is the PersistentVolumeClaim mounted at Workdir, which holds the
	// specs, the plan and the output folder (Kubernetes).
	Claim string `yaml:"claim" doc:"PersistentVolumeClaim mounted at workdir (Kubernetes)"`
}

// jobName matches names valid for both Slurm and Kubernetes (RFC 1123 label).
var jobName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// withDefaults fills in the defaults of EmitOptions.
func (o EmitOptions) withDefaults() EmitOptions {
	if o.Out == "" {
		o.Out = "runs"
	}
	if o.Name == "" {
		o.Name = "ansatz"
	}
	if o.Bin == "" {
		o.Bin = "ansatz"
	}
	if o.Image == "" {
		o.Image = "ansatz:latest"
	}
	if o.Claim == "" {
		o.Claim = "ansatz-work"
	}
	return o
}

// Validate checks the options.
func (o EmitOptions) Validate() error {
	var errs []error
	if o.Plan == "" {
		errs = append(errs, errors.New("plan: give the plan file (--plan plan.jsonl)"))
	}
	if o.Name != "" && !jobName.MatchString(o.Name) {
		errs = append(errs, fmt.Errorf("name: %q must be lower-case letters, digits and '-' (at most 63)", o.Name))
	}
	if o.Parallelism < 0 {
		errs = append(errs, fmt.Errorf("parallelism: must be ≥ 0, got %d", o.Parallelism))
	}
	return errors.Join(errs...)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// EmitSlurm prints an sbatch script that runs a plan of n runs as a job
// array: task i runs `ansatz run --plan PLAN --out OUT`, which reads its
// index from $SLURM_ARRAY_TASK_ID.
func EmitSlurm(w io.Writer, n int, o EmitOptions) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if n < 1 {
		return errors.New("the plan holds no runs")
	}
	o = o.withDefaults()
	array := fmt.Sprintf("0-%d", n-1)
	if o.Parallelism > 0 {
		array += fmt.Sprintf("%%%d", o.Parallelism)
	}
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	fmt.Fprintf(&b, "# %d runs of %s; submit with: sbatch this-file.sh\n", n, o.Plan)
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", o.Name)
	fmt.Fprintf(&b, "#SBATCH --array=%s\n", array)
	b.WriteString("#SBATCH --ntasks=1\n")
	b.WriteString("#SBATCH --output=%x-%A_%a.log\n")
	if o.Workdir != "" {
		fmt.Fprintf(&b, "#SBATCH --chdir=%s\n", o.Workdir)
	}
	b.WriteString("\n# Each task runs the plan entry whose index is $SLURM_ARRAY_TASK_ID; a\n")
	b.WriteString("# finished run is skipped and an interrupted one resumes, so resubmitting\n")
	b.WriteString("# the script (or one task: sbatch --array=3) redoes only what is missing.\n")
	b.WriteString("set -euo pipefail\n")
	fmt.Fprintf(&b, "exec %s run --plan %s --out %s\n", shellQuote(o.Bin), shellQuote(o.Plan), shellQuote(o.Out))
	_, err := io.WriteString(w, b.String())
	return err
}

// Kubernetes object types, in the order their fields print.
type (
	k8sJob struct {
		APIVersion string     `yaml:"apiVersion"`
		Kind       string     `yaml:"kind"`
		Metadata   k8sMeta    `yaml:"metadata"`
		Spec       k8sJobSpec `yaml:"spec"`
	}
	k8sMeta struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels,omitempty"`
	}
	k8sJobSpec struct {
		CompletionMode string      `yaml:"completionMode"`
		Completions    int         `yaml:"completions"`
		Parallelism    int         `yaml:"parallelism"`
		BackoffLimit   int         `yaml:"backoffLimit"`
		Template       k8sTemplate `yaml:"template"`
	}
	k8sTemplate struct {
		Spec k8sPodSpec `yaml:"spec"`
	}
	k8sPodSpec struct {
		RestartPolicy string         `yaml:"restartPolicy"`
		Containers    []k8sContainer `yaml:"containers"`
		Volumes       []k8sVolume    `yaml:"volumes"`
	}
	k8sContainer struct {
		Name         string     `yaml:"name"`
		Image        string     `yaml:"image"`
		WorkingDir   string     `yaml:"workingDir"`
		Command      []string   `yaml:"command"`
		VolumeMounts []k8sMount `yaml:"volumeMounts"`
	}
	k8sMount struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	}
	k8sVolume struct {
		Name string   `yaml:"name"`
		PVC  k8sClaim `yaml:"persistentVolumeClaim"`
	}
	k8sClaim struct {
		ClaimName string `yaml:"claimName"`
	}
)

// EmitKubernetes prints a batch/v1 Job with completionMode Indexed and n
// completions: the pod of index i runs `ansatz run --plan PLAN --out OUT`,
// which reads its index from $JOB_COMPLETION_INDEX. Specs, plan and output
// folder live on the volume claim mounted at the working folder.
func EmitKubernetes(w io.Writer, n int, o EmitOptions) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if n < 1 {
		return errors.New("the plan holds no runs")
	}
	o = o.withDefaults()
	if o.Workdir == "" {
		o.Workdir = "/work"
	}
	par := o.Parallelism
	if par == 0 || par > n {
		par = n
	}
	job := k8sJob{
		APIVersion: "batch/v1", Kind: "Job",
		Metadata: k8sMeta{Name: o.Name, Labels: map[string]string{"app.kubernetes.io/name": "ansatz"}},
		Spec: k8sJobSpec{
			CompletionMode: "Indexed", Completions: n, Parallelism: par,
			// A failed pod is retried; its run resumes from its checkpoint.
			BackoffLimit: 3 * n,
			Template: k8sTemplate{Spec: k8sPodSpec{
				RestartPolicy: "Never",
				Containers: []k8sContainer{{
					Name: "ansatz", Image: o.Image, WorkingDir: o.Workdir,
					Command:      []string{o.Bin, "run", "--plan", o.Plan, "--out", o.Out},
					VolumeMounts: []k8sMount{{Name: "work", MountPath: o.Workdir}},
				}},
				Volumes: []k8sVolume{{Name: "work", PVC: k8sClaim{ClaimName: o.Claim}}},
			}},
		},
	}
	fmt.Fprintf(w, "# %d runs of %s; submit with: kubectl apply -f this-file.yaml\n", n, o.Plan)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(job); err != nil {
		return fmt.Errorf("writing the Job: %w", err)
	}
	return enc.Close()
}
