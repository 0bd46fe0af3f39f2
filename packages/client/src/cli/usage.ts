/** `openad-async --help`. */
export const USAGE = `openad-async: client of an openad-async inference service

Usage:
  openad-async services [--json]            the service table
  openad-async predict --service NAME --property P[,P…] --input FILE|-  [options]
  openad-async generate --service NAME [--sample-size N] [--target JSON]… [options]
  openad-async status ID                     the status object (JSON)
  openad-async wait ID                       wait for the end; the status object (JSON)
  openad-async cancel ID
  openad-async stats [--json]                queues, outcomes, workers and models

Common options:
  --url URL          service URL (env OPENAD_ASYNC_URL; default http://localhost:8080)
  --api-key KEY      API key (env OPENAD_ASYNC_API_KEY)
  --priority P       low, normal, high or critical
  --timeout SECONDS  end each request as timeout after this long
  -q, --quiet        no progress on stderr
  -h, --help

predict:
  -i, --input FILE|-     subjects: .smi (SMILES [name] per line), .csv or .tsv (header line)
  --input-format F       smi, csv or tsv (default: from the extension; stdin: smi)
  --column NAME          CSV/TSV subject column (default: smiles/subject/sequence, else the first)
  --batch-size N         subjects per request (default 100)
  --concurrency N        requests in flight (default 4)
  --param KEY=VALUE      model parameter (repeatable; JSON values are sent as JSON)
  -o, --output FILE|-    where rows go (default stdout)
  --format csv|jsonl     output format (default: from the extension, else csv)
  One row per subject, in input order: row, subject[, name], each property, error.

generate:
  --sample-size N, --target JSON (repeatable), --param KEY=VALUE, -o FILE, --format csv|jsonl

Exit codes:
  0 done   2 usage or unreadable input   3 rejected by the service (validation, unknown id,
  already finished)   4 authentication   5 service unreachable or unavailable
  6 request failed, timed out or was canceled   7 output written but some rows have an error
  130 interrupted (Ctrl-C): requests this run submitted and had not finished are canceled
  1 unexpected error
`;
