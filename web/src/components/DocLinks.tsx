// Downloads of an incident's official forms as the server renders them
// (GET /api/v1/incidents/{id}/documents/mau03|mau04?format=pdf|docx): PDF to
// print and seal, DOCX to edit. Plain links: the session cookie goes along
// and the server names the file.
import { t } from '../i18n';

export function DocLinks({ id, form, short }: { id: string; form: '03' | '04'; short?: boolean }) {
  const base = `/api/v1/incidents/${encodeURIComponent(id)}/documents/mau${form}`;
  const name = t(form === '03' ? 'p_form03' : 'p_form04');
  return (
    <>
      <a class="button secondary" href={`${base}?format=pdf`} download title={t('doc_hint')} data-doc={`mau${form}.pdf`}>
        {short ? t('doc_pdf') : t('doc_pdf_form', { form: name })}
      </a>
      <a class="button secondary" href={`${base}?format=docx`} download title={t('doc_hint')} data-doc={`mau${form}.docx`}>
        {short ? t('doc_docx') : t('doc_docx_form', { form: name })}
      </a>
    </>
  );
}
