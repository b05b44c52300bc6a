"""``gdlab figures``: regenerate the figures of the course material (``paper_figures/``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._options import progress_option


def _figures_module():
    """The figure set, found through the entry-point group ``gdlab.figures`` (gdlab's own
    ``paper_figures`` registers as ``paper``): the library does not import the scripts."""
    from importlib.metadata import entry_points

    eps = entry_points(group="gdlab.figures")
    if not eps:
        raise click.ClickException("no figure set is installed (entry-point group 'gdlab.figures'); "
                                   "reinstall gdlab ('pip install .'), which ships paper_figures")
    ep = eps["paper"] if "paper" in eps.names else next(iter(eps))
    try:
        return ep.load()
    except Exception as exc:  # a broken figure set is one line, not a traceback
        raise click.ClickException(f"the figure set {ep.name} = {ep.value} failed to load: {exc}") from None


@click.command()
@click.option("--only", "only", multiple=True, metavar="NAME",
              help="Make only this figure: its name (gd_parabola), stem (fig01_gd_parabola) or number "
                   "(1). Repeatable; commas also separate names.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("figures"), show_default=True,
              help="Folder for the figures (PNG, PDF) and their data (CSV/JSON), SHA256SUMS and "
                   "figures.json.")
@click.option("--quick", is_flag=True,
              help="Less work per figure (fewer steps, epochs, rows): a preview in about a minute.")
@click.option("--list", "list_only", is_flag=True, help="List the figures and exit.")
@click.option("--threads", type=int, default=None,
              help="Threads for Numba and BLAS [default: all cores]. Data files are identical "
                   "between runs with the same thread count.")
@progress_option
def figures(only, out_dir, quick, list_only, threads, progress):
    """Regenerate the figures of the course material, each from its own script in
    paper_figures/ (see docs/figures.md).

    Every figure is written as PNG and PDF with the data behind it (CSV/JSON); two runs write
    identical data files, whose hashes go to OUT/SHA256SUMS ('sha256sum -c SHA256SUMS' checks
    them). Files named *.timing.* hold measured times and differ between runs. A figure that
    needs a dataset not shipped with gdlab (WikiQA, from $GDLAB_DATA_DIR) is skipped with the
    reason when it is missing.

    \b
        gdlab figures --out figures                  # all (5-9 minutes on 2 cores)
        gdlab figures --quick --out /tmp/preview     # all, from less work
        gdlab figures --only gd_parabola --only 5    # two of them

    Exit status: 0 when every figure asked for was made (or skipped for missing data when not
    named with --only), 1 when one failed or a named one was skipped, 2 for invalid arguments.
    """
    from tqdm.auto import tqdm

    from .._threads import limit_threads

    pf = _figures_module()
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    try:
        chosen = pf.select(names)
    except pf.FigureError as exc:
        raise click.ClickException(str(exc)) from None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if list_only:
        for f in chosen:
            needs = f"  [needs {', '.join(f.needs)} in $GDLAB_DATA_DIR]" if f.needs else ""
            click.echo(f"{f.number:>2}  {f.name:<24} {f.title}{needs}")
        return

    bar = tqdm(total=len(chosen), unit="figure", disable=(not progress) if progress is not None else None,
               leave=False, dynamic_ncols=True, file=sys.stderr)

    def on_start(f):
        bar.set_description(f"fig {f.number:02d} {f.name}")

    def on_done(o):
        bar.update(1)
        what = (", ".join(o.files) if o.status == "ok" else o.reason)
        tqdm.write(f"{o.figure.number:>2} {o.figure.name:<24} {o.status:<7} {o.seconds:7.1f} s  {what}",
                   file=sys.stderr if o.status == "failed" else sys.stdout)
        if o.status == "failed":
            tqdm.write(getattr(o, "traceback", ""), file=sys.stderr)

    mode = "quick" if quick else "full"
    click.echo(f"gdlab figures: {len(chosen)} figure(s), {mode} mode, into {out_dir}/")
    try:
        with limit_threads(threads):
            outcomes = pf.run([f.name for f in chosen], out_dir, quick=quick, on_start=on_start,
                              on_done=on_done)
    except ValueError as exc:
        bar.close()
        raise click.UsageError(str(exc)) from None
    bar.close()
    total = sum(o.seconds for o in outcomes)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("ok", "skipped", "failed")}
    click.echo(f"{counts['ok']} made, {counts['skipped']} skipped, {counts['failed']} failed in "
               f"{total:.0f} s; data hashes in {out_dir / 'SHA256SUMS'}")
    named_skip = bool(names) and counts["skipped"] > 0
    if counts["failed"] or named_skip:
        sys.exit(1)
